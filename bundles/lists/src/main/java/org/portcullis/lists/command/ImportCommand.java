package org.portcullis.lists.command;

import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

import org.apache.karaf.shell.api.action.Argument;
import org.apache.karaf.shell.api.action.Command;
import org.apache.karaf.shell.api.action.lifecycle.Service;
import org.portcullis.lists.ListException;
import org.portcullis.lists.Lists;
import org.portcullis.lists.Scope;

@Command(scope = "lists", name = "import", description = "Imports entries from CSV, all or nothing (legacy exports accepted)")
@Service
public class ImportCommand extends ListsAction {

    @Argument(index = 0, name = "file", description = "CSV: list,scope,pattern,comment,expires", required = true)
    String file;

    /** Imports touch any scope: admins only (domain-admins add entries one by one, in their scope). */
    @Override
    protected void run() throws Exception {
        requireScope(Scope.GLOBAL);
        Path path = Path.of(file);
        if (!Files.isReadable(path)) {
            throw new ListException("cannot read " + file);
        }
        Lists.ImportResult r;
        try (Reader in = Files.newBufferedReader(path, StandardCharsets.UTF_8)) {
            r = lists.importCsv(in, path.getFileName().toString(), author());
        }
        r.errors().forEach(System.out::println);
        r.duplicates().forEach(d -> System.out.println(d + " (not stored twice)"));
        if (!r.errors().isEmpty()) {
            throw new ListException(r.errors().size() + " bad line(s) in " + file + "; nothing was imported");
        }
        System.out.println("Imported " + r.added() + " entries from " + file);
    }
}
