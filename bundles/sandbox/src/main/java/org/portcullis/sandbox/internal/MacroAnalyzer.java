package org.portcullis.sandbox.internal;

import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collections;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.apache.commons.compress.archivers.zip.ZipArchiveEntry;
import org.apache.commons.compress.archivers.zip.ZipFile;
import org.apache.commons.io.input.BoundedInputStream;
import org.apache.poi.poifs.filesystem.DirectoryEntry;
import org.apache.poi.poifs.filesystem.Entry;
import org.apache.poi.poifs.filesystem.POIFSFileSystem;
import org.apache.poi.poifs.macros.VBAMacroReader;
import org.portcullis.sandbox.Finding;
import org.portcullis.sandbox.SandboxAnalyzer;
import org.portcullis.scanner.Part;

/**
 * Built-in analyser {@code macro}: Office documents whose VBA macros run by themselves and can
 * write files or run programs — the rule mraptor made known: a macro that starts on its own
 * (opening, closing, a form's event) <em>and</em> writes or executes is malicious; either alone is
 * not. The VBA source is read with Apache POI's {@code VBAMacroReader} from a legacy (OLE2)
 * document, or from each OLE2 part inside an OOXML one, whatever its name (taken out with
 * commons-compress' {@code ZipFile} through the central directory, one at a time, at most
 * {@code maxProjectBytes} each and {@value #MAX_PROJECTS} parts). An encrypted document, a
 * project past a limit, or a VBA project or Office document that cannot be read is malicious:
 * what cannot be looked at is not delivered.
 */
final class MacroAnalyzer implements SandboxAnalyzer {

    private static final byte[] OLE2 = {(byte) 0xD0, (byte) 0xCF, 0x11, (byte) 0xE0, (byte) 0xA1, (byte) 0xB1, 0x1A, (byte) 0xE1};
    private static final byte[] ZIP = {'P', 'K', 3, 4};

    /** Macros that start by themselves: document and workbook events, auto macros, and control events. */
    private static final Pattern AUTO_EXEC = Pattern.compile("(?i)\\b(Auto_?Open|Auto_?Close|AutoExec|AutoExit|AutoNew|Document_?Open"
            + "|Document_?Close|Document_?BeforeClose|Document_?New|DocumentChange|NewDocument|Workbook_(?:Open|Activate|Close|BeforeClose)"
            + "|\\w+_(?:Painted|Painting|GotFocus|LostFocus|MouseHover|MouseMove|MouseEnter|Layout|Click|Change|Resize"
            + "|DocumentComplete|NavigateComplete2|BeforeNavigate2))\\b");
    /** What writes files or to them. */
    private static final Pattern WRITE = Pattern.compile("(?i)\\b(Kill|FileCopy|CopyFile|CopyHere|SaveToFile|SaveAs|CreateTextFile"
            + "|WriteText|URLDownloadToFile|ADODB\\.Stream|Open\\b[^\\r\\n]*\\bFor\\s+(?:Output|Binary|Append|Random)|Print\\s*#|Put\\s*#"
            + "|Write\\s*#)");
    /** What runs programs, other code, or calls into Windows. */
    private static final Pattern EXECUTE = Pattern.compile("(?i)\\b(Shell|ShellExecute\\w*|CreateObject|GetObject|SendKeys|MacScript"
            + "|FollowHyperlink|WScript\\.Shell|Shell\\.Application|PowerShell|CreateThread|VirtualAlloc\\w*|RtlMoveMemory|Declare\\s+"
            + "(?:PtrSafe\\s+)?(?:Function|Sub)\\s+\\w+\\s+Lib|Application\\.Run|ExecuteExcel4Macro|CallByName)\\b");

    /** OLE2 parts one OOXML document may embed before it is kept unanalysed. */
    private static final int MAX_PROJECTS = 16;

    private final long maxProjectBytes;

    MacroAnalyzer(long maxProjectBytes) {
        this.maxProjectBytes = maxProjectBytes;
    }

    @Override
    public String name() {
        return "macro";
    }

    @Override
    public Finding analyze(Part attachment) throws IOException {
        byte[] head;
        try (InputStream in = attachment.open()) {
            head = in.readNBytes(8);
        }
        boolean ole2 = startsWith(head, OLE2);
        if (!ole2 && !startsWith(head, ZIP)) {
            return Finding.clean(); // not an Office container (a disguised program is the type analyser's)
        }
        try (InputStream in = attachment.open()) {
            String found = TempCopy.of(in, ole2 ? ".ole" : ".zip", copy -> ole2 ? inspect(copy) : projectsOf(copy));
            return found == null ? Finding.clean() : Finding.malicious(found);
        } catch (InterruptedIOException e) {
            throw e;
        } catch (IOException | RuntimeException e) {
            if (Thread.currentThread().isInterrupted()) {
                throw e; // the deadline passed: a failure, not a finding
            }
            return Finding.malicious("unreadable Office document (" + e.getMessage() + ")");
        }
    }

    /**
     * The first finding among the VBA projects in the OOXML file {@code zip}: every entry that is
     * an OLE2 file, whatever its name (Office finds the project by its relationship, not its
     * name), each copied out at most {@code maxProjectBytes}, inspected and deleted before the next.
     */
    private String projectsOf(Path zip) throws IOException {
        int projects = 0;
        try (ZipFile file = ZipFile.builder().setPath(zip).get()) {
            for (ZipArchiveEntry e : Collections.list(file.getEntries())) {
                if (e.isDirectory()) {
                    continue;
                }
                if (e.getGeneralPurposeBit().usesEncryption()) {
                    return "encrypted entry " + e.getName() + " in an Office document: it cannot be analysed";
                }
                byte[] head;
                try (InputStream in = file.getInputStream(e)) {
                    head = in.readNBytes(8);
                }
                if (!startsWith(head, OLE2)) {
                    continue;
                }
                if (++projects > MAX_PROJECTS) {
                    return "Office document with more than " + MAX_PROJECTS + " embedded OLE2 parts: it cannot be analysed";
                }
                String found;
                try (InputStream in = BoundedInputStream.builder().setInputStream(file.getInputStream(e)).setMaxCount(maxProjectBytes + 1)
                        .get()) {
                    found = TempCopy.of(in, ".bin", project -> Files.size(project) > maxProjectBytes
                            ? "macro project " + e.getName() + " larger than " + maxProjectBytes + " bytes: it cannot be analysed"
                            : inspect(project));
                }
                if (found != null) {
                    return found;
                }
            }
        }
        return null;
    }

    /** The finding in the VBA project in the OLE2 file {@code ole2}, or null; a project that cannot be read is an exception. */
    private static String inspect(Path ole2) throws IOException {
        try (POIFSFileSystem fs = new POIFSFileSystem(ole2.toFile(), true)) {
            if (fs.getRoot().hasEntry("EncryptedPackage")) {
                return "encrypted Office document: it cannot be analysed";
            }
            if (!hasProject(fs.getRoot(), 0)) {
                return null; // no VBA in it
            }
        }
        Map<String, String> modules;
        try (VBAMacroReader reader = new VBAMacroReader(ole2.toFile())) {
            modules = reader.readMacros();
        }
        if (Thread.currentThread().isInterrupted()) {
            throw new InterruptedIOException("interrupted");
        }
        return rule(modules);
    }

    /** Whether a storage named {@code VBA} with a {@code dir} stream is somewhere under {@code dir} (a few levels down at most). */
    private static boolean hasProject(DirectoryEntry dir, int depth) {
        for (Entry e : dir) {
            if (e instanceof DirectoryEntry d) {
                if (d.getName().equalsIgnoreCase("VBA") && d.hasEntryCaseInsensitive("dir") || depth < 4 && hasProject(d, depth + 1)) {
                    return true;
                }
            }
        }
        return false;
    }

    /** mraptor's rule over the modules' source: starts by itself, and writes or executes. */
    static String rule(Map<String, String> modules) {
        StringBuilder all = new StringBuilder();
        modules.values().forEach(source -> all.append(source).append('\n'));
        String source = all.toString();
        Matcher auto = AUTO_EXEC.matcher(source);
        if (!auto.find()) {
            return null;
        }
        Matcher write = WRITE.matcher(source);
        Matcher execute = EXECUTE.matcher(source);
        Set<String> does = new LinkedHashSet<>();
        if (write.find()) {
            does.add("writes (" + write.group(1).strip() + ")");
        }
        if (execute.find()) {
            does.add("executes (" + execute.group(1).strip() + ")");
        }
        return does.isEmpty() ? null : "Office macro that runs by itself (" + auto.group(1) + ") and " + String.join(" and ", does);
    }

    private static boolean startsWith(byte[] data, byte[] prefix) {
        if (data.length < prefix.length) {
            return false;
        }
        for (int i = 0; i < prefix.length; i++) {
            if (data[i] != prefix[i]) {
                return false;
            }
        }
        return true;
    }
}
