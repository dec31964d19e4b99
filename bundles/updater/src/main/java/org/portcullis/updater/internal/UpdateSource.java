package org.portcullis.updater.internal;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.HttpURLConnection;
import java.net.URI;
import java.net.URLConnection;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.function.BiConsumer;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.portcullis.updater.Updates.Offer;
import org.portcullis.updater.pkg.EntryNames;
import org.portcullis.updater.pkg.PackageException;
import org.portcullis.updater.pkg.ProductVersion;

/**
 * The update URL ({@code update.url}): an {@code index} of packages, and the packages beside it.
 * HTTPS (the JVM's trust store) or {@code file:}; plain HTTP is refused even though packages are
 * signed, so what an appliance asks for and gets is not readable or changeable on the way. A
 * download resumes a partial file with a Range request; nothing downloaded is offered before it
 * has verified.
 */
final class UpdateSource {

    /** {@code portcullis-update-<from>-<to>.pcup}, optionally followed by its size. */
    private static final Pattern LINE = Pattern.compile("(portcullis-update-([0-9A-Za-z.]+(?:-[0-9A-Za-z.]+)?)-([0-9]+\\.[0-9]+\\.[0-9]+(?:-[0-9A-Za-z.]+)?)\\.pcup)(?: ([0-9]{1,15}))?");
    private static final int TIMEOUT_MS = 60_000;

    private final URI base;

    private UpdateSource(URI base) {
        this.base = base;
    }

    /** The source at {@code url}; fails with one line for an empty or unusable URL. */
    static UpdateSource at(String url) {
        String u = url.trim();
        if (u.isEmpty()) {
            throw new PackageException("no update URL is configured (update.url in etc/org.portcullis.updater.cfg); "
                    + "an offline appliance takes packages with update:install-file FILE");
        }
        URI uri;
        try {
            uri = URI.create(u.endsWith("/") ? u : u + "/");
        } catch (IllegalArgumentException e) {
            throw new PackageException("update.url '" + u + "' is not a URL: " + e.getMessage());
        }
        if (!"https".equals(uri.getScheme()) && !"file".equals(uri.getScheme())) {
            throw new PackageException("update.url '" + u + "' must be https: or file:");
        }
        return new UpdateSource(uri);
    }

    URI base() {
        return base;
    }

    /** What the index offers. */
    List<Offer> index() {
        String text;
        try {
            URLConnection c = open(base.resolve("index"), 0);
            try (InputStream in = c.getInputStream()) {
                byte[] b = in.readNBytes(1 << 20);
                text = new String(b, StandardCharsets.UTF_8);
            }
        } catch (IOException e) {
            throw new PackageException("the update index " + base.resolve("index") + " cannot be read: " + e.getMessage(), e);
        }
        return parse(text, base);
    }

    static List<Offer> parse(String text, URI base) {
        List<Offer> out = new ArrayList<>();
        int n = 0;
        for (String line : text.split("\n", -1)) {
            n++;
            String l = line.strip();
            if (l.isEmpty() || l.startsWith("#")) {
                continue;
            }
            Matcher m = LINE.matcher(l);
            if (!m.matches()) {
                throw new PackageException("the update index, line " + n + ": '" + EntryNames.printable(l) + "' is not 'portcullis-update-<from>-<to>.pcup [size]'");
            }
            try {
                ProductVersion from = ProductVersion.parse(m.group(2));
                ProductVersion to = ProductVersion.parse(m.group(3));
                out.add(new Offer(from.toString(), to.toString(), m.group(1), m.group(4) == null ? -1 : Long.parseLong(m.group(4)),
                        base.resolve(m.group(1))));
            } catch (PackageException e) {
                throw new PackageException("the update index, line " + n + ": " + e.getMessage());
            }
        }
        return out;
    }

    /**
     * Downloads {@code offer} into {@code part}, going on from what {@code part} holds. Returns
     * when the file is complete; fails with one line (the part kept for the next try).
     */
    void download(Offer offer, Path part, BiConsumer<Long, Long> progress) {
        try {
            Files.createDirectories(part.getParent());
            long have = Files.isRegularFile(part) ? Files.size(part) : 0;
            URLConnection c = open(offer.location(), have);
            long total;
            boolean append = false;
            if (c instanceof HttpURLConnection h) {
                int code = h.getResponseCode();
                if (code == 416 && have > 0) {
                    return; // the part is whole already; verification decides
                }
                if (code == 206) {
                    String range = h.getHeaderField("Content-Range");
                    if (range == null || !range.startsWith("bytes " + have + "-")) {
                        throw new IOException("the server answered the range from byte " + have + " with '" + range + "'");
                    }
                    append = true;
                    total = have + h.getContentLengthLong();
                } else if (code == 200) {
                    total = h.getContentLengthLong();
                } else {
                    throw new IOException("HTTP " + code + " " + h.getResponseMessage());
                }
            } else {
                // file: read from where the part ends
                total = c.getContentLengthLong();
                append = have > 0 && have <= total;
            }
            long done = append ? have : 0;
            try (InputStream in = c.getInputStream();
                    OutputStream out = Files.newOutputStream(part, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                            append ? StandardOpenOption.APPEND : StandardOpenOption.TRUNCATE_EXISTING)) {
                if (append && !(c instanceof HttpURLConnection)) {
                    in.skipNBytes(have);
                }
                byte[] buf = new byte[64 * 1024];
                long reported = -1;
                for (int r; (r = in.read(buf)) > 0;) {
                    out.write(buf, 0, r);
                    done += r;
                    if (done - reported >= 1 << 20) {
                        progress.accept(done, total);
                        reported = done;
                    }
                }
            }
            progress.accept(done, total);
            if (total >= 0 && done < total) {
                throw new IOException("the download stopped after " + done + " of " + total + " bytes");
            }
        } catch (IOException e) {
            throw new PackageException("downloading " + offer.location() + ": " + e.getMessage() + "; update:download again goes on from there", e);
        }
    }

    private static URLConnection open(URI uri, long from) throws IOException {
        URLConnection c = uri.toURL().openConnection();
        c.setConnectTimeout(TIMEOUT_MS);
        c.setReadTimeout(TIMEOUT_MS);
        if (c instanceof HttpURLConnection h) {
            h.setInstanceFollowRedirects(false); // a redirect could leave https
            if (from > 0) {
                h.setRequestProperty("Range", "bytes=" + from + "-");
            }
        }
        return c;
    }
}
