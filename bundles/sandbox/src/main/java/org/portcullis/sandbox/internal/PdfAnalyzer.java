package org.portcullis.sandbox.internal;

import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.Collections;
import java.util.Deque;
import java.util.HashSet;
import java.util.IdentityHashMap;
import java.util.Set;

import org.apache.pdfbox.Loader;
import org.apache.pdfbox.cos.COSArray;
import org.apache.pdfbox.cos.COSBase;
import org.apache.pdfbox.cos.COSDictionary;
import org.apache.pdfbox.cos.COSName;
import org.apache.pdfbox.cos.COSObject;
import org.apache.pdfbox.cos.COSObjectKey;
import org.apache.pdfbox.cos.COSString;
import org.apache.pdfbox.pdmodel.PDDocument;
import org.apache.pdfbox.pdmodel.encryption.InvalidPasswordException;
import org.portcullis.sandbox.Finding;
import org.portcullis.sandbox.SandboxAnalyzer;
import org.portcullis.scanner.Part;

/**
 * Built-in analyser {@code pdf}: a PDF that runs JavaScript or launches a program. The document
 * is parsed with PDFBox from a temporary file (never whole on the heap) and every object reachable
 * from its trailer is visited once: an action of type {@code /JavaScript} or {@code /Launch}, or a
 * dictionary carrying {@code /JS}, wherever it hangs (the open action, a page's or a field's
 * additional actions, a link, the document's JavaScript name tree), is a finding. A PDF that
 * cannot be read, that needs a password to be opened, or that has more objects than
 * {@code maxObjects} cannot be looked at, and is malicious for that reason: content the sandbox
 * cannot see is never delivered for having failed.
 */
final class PdfAnalyzer implements SandboxAnalyzer {

    private static final COSName LAUNCH = COSName.getPDFName("Launch");

    private final int maxObjects;

    PdfAnalyzer(int maxObjects) {
        this.maxObjects = maxObjects;
    }

    @Override
    public String name() {
        return "pdf";
    }

    @Override
    public Finding analyze(Part attachment) throws IOException {
        if (!pdf(attachment)) {
            return Finding.clean();
        }
        try (InputStream in = attachment.open()) {
            return TempCopy.of(in, ".pdf", this::analyzeCopy);
        }
    }

    private Finding analyzeCopy(Path copy) throws IOException {
        try (PDDocument document = Loader.loadPDF(copy.toFile())) {
            String found = walk(document.getDocument().getTrailer());
            return found == null ? Finding.clean() : Finding.malicious(found);
        } catch (InvalidPasswordException e) {
            return Finding.malicious("encrypted PDF: it cannot be opened without its password, so it cannot be analysed");
        } catch (InterruptedIOException e) {
            throw e;
        } catch (IOException | RuntimeException e) {
            if (Thread.currentThread().isInterrupted()) {
                throw e; // the deadline passed: a failure, not a finding
            }
            return Finding.malicious("unreadable PDF (" + e.getMessage() + ")");
        }
    }

    private static boolean pdf(Part attachment) throws IOException {
        if (attachment.detectedType().equals("application/pdf") || Risk.extension(attachment.filename()).equals("pdf")) {
            return true;
        }
        try (InputStream in = attachment.open()) {
            byte[] head = in.readNBytes(5);
            return new String(head, StandardCharsets.ISO_8859_1).equals("%PDF-");
        }
    }

    /** The first finding among the objects reachable from {@code trailer}, or null. */
    private String walk(COSDictionary trailer) throws IOException {
        Set<COSObjectKey> seen = new HashSet<>();
        Set<COSBase> direct = Collections.newSetFromMap(new IdentityHashMap<>());
        Deque<COSBase> todo = new ArrayDeque<>();
        todo.push(trailer);
        int visited = 0;
        while (!todo.isEmpty()) {
            if (Thread.currentThread().isInterrupted()) {
                throw new InterruptedIOException("interrupted");
            }
            COSBase next = todo.pop();
            if (next instanceof COSObject reference) {
                COSObjectKey key = reference.getKey();
                if (key != null && !seen.add(key)) {
                    continue;
                }
                if (++visited > maxObjects) {
                    return "PDF with more than " + maxObjects + " objects: it cannot be analysed";
                }
                next = reference.getObject();
            }
            if (next == null || !direct.add(next)) {
                continue;
            }
            if (next instanceof COSDictionary dictionary) {
                String found = action(dictionary, where(next));
                if (found != null) {
                    return found;
                }
                for (COSBase value : dictionary.getValues()) {
                    todo.push(value);
                }
            } else if (next instanceof COSArray array) {
                for (COSBase value : array) {
                    todo.push(value);
                }
            }
        }
        return null;
    }

    private static String where(COSBase object) {
        COSObjectKey key = object.getKey();
        return key == null ? "" : " (object " + key.getNumber() + ")";
    }

    /** What {@code dictionary} does that a PDF must not, or null. */
    private static String action(COSDictionary dictionary, String where) {
        COSBase type = dictionary.getDictionaryObject(COSName.S);
        if (COSName.JAVA_SCRIPT.equals(type) || dictionary.containsKey(COSName.JS)) {
            return "PDF with JavaScript" + where;
        }
        if (LAUNCH.equals(type)) {
            return "PDF with a launch action" + target(dictionary) + where;
        }
        return null;
    }

    private static String target(COSDictionary launch) {
        COSBase file = launch.getDictionaryObject(COSName.F);
        if (file instanceof COSDictionary spec) {
            file = spec.getDictionaryObject(COSName.F);
        }
        if (file == null) {
            COSBase windows = launch.getDictionaryObject(COSName.WIN);
            if (windows instanceof COSDictionary win) {
                file = win.getDictionaryObject(COSName.F);
            }
        }
        return file instanceof COSString s ? " that runs " + s.getString() : "";
    }
}
