package org.portcullis.lists.command;

import org.apache.karaf.shell.api.action.Argument;
import org.apache.karaf.shell.api.action.Command;
import org.apache.karaf.shell.api.action.Completion;
import org.apache.karaf.shell.api.action.lifecycle.Service;
import org.portcullis.lists.ListEntry;
import org.portcullis.lists.ListException;

@Command(scope = "lists", name = "remove", description = "Removes a list entry by its number")
@Service
public class RemoveCommand extends ListsAction {

    @Completion(ListCompleters.Ids.class)
    @Argument(index = 0, name = "id", description = "The entry's number (#, from lists:list)", required = true)
    long id;

    @Override
    protected void run() {
        ListEntry e = lists.get(id).orElseThrow(() -> new ListException(ListException.Kind.NOT_FOUND, "no list entry #" + id));
        requireScope(e.scope());
        lists.remove(id);
        System.out.println("Removed #" + id + ": " + e.describe());
    }
}
