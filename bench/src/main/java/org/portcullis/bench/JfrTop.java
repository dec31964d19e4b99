package org.portcullis.bench;

import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import jdk.jfr.consumer.RecordedEvent;
import jdk.jfr.consumer.RecordedFrame;
import jdk.jfr.consumer.RecordingFile;

/**
 * Where a JVM spent its CPU, from a JDK Flight Recorder file: the share of execution samples
 * per top frame ("self") and per method anywhere on the stack ("total"), the top N of each; and,
 * when the recording holds them, the JIT's compilations and deoptimizations by method.
 *
 * <pre>java -cp bench/target/classes org.portcullis.bench.JfrTop recording.jfr [N]</pre>
 */
public final class JfrTop {

    private JfrTop() {
    }

    public static void main(String[] args) throws Exception {
        int n = args.length > 1 ? Integer.parseInt(args[1]) : 30;
        Map<String, Integer> self = new HashMap<>();
        Map<String, Integer> total = new HashMap<>();
        Map<String, Integer> compiled = new HashMap<>();
        Map<String, Integer> deoptimized = new HashMap<>();
        int samples = 0;
        int compilations = 0;
        int deoptimizations = 0;
        for (RecordedEvent e : RecordingFile.readAllEvents(Path.of(args[0]))) {
            String type = e.getEventType().getName();
            if (type.equals("jdk.Compilation")) {
                compilations++;
                compiled.merge(methodName(e.getValue("method")), 1, Integer::sum);
                continue;
            }
            if (type.equals("jdk.Deoptimization")) {
                deoptimizations++;
                deoptimized.merge(methodName(e.getValue("method")) + " (" + e.getString("reason") + ")", 1, Integer::sum);
                continue;
            }
            if (!type.equals("jdk.ExecutionSample") || e.getStackTrace() == null) {
                continue;
            }
            samples++;
            List<RecordedFrame> frames = e.getStackTrace().getFrames();
            if (frames.isEmpty()) {
                continue;
            }
            self.merge(name(frames.get(0)), 1, Integer::sum);
            java.util.Set<String> seen = new java.util.HashSet<>();
            for (RecordedFrame f : frames) {
                String m = name(f);
                if (seen.add(m)) {
                    total.merge(m, 1, Integer::sum);
                }
            }
        }
        System.out.println(samples + " execution samples");
        print("self", self, samples, n);
        print("total", total, samples, n);
        if (compilations > 0 || deoptimizations > 0) {
            System.out.println(compilations + " compilations recorded, " + deoptimizations + " deoptimizations");
            print("compilations (share of those recorded)", compiled, Math.max(compilations, 1), n);
            print("deoptimizations", deoptimized, Math.max(deoptimizations, 1), n);
        }
    }

    private static String methodName(jdk.jfr.consumer.RecordedMethod m) {
        return m == null ? "?" : m.getType().getName() + "." + m.getName();
    }

    private static String name(RecordedFrame f) {
        return f.getMethod().getType().getName() + "." + f.getMethod().getName();
    }

    private static void print(String title, Map<String, Integer> counts, int samples, int n) {
        System.out.println("== " + title);
        counts.entrySet().stream().sorted(Map.Entry.<String, Integer>comparingByValue().reversed()).limit(n)
                .forEach(en -> System.out.printf("%6.2f%%  %s%n", 100.0 * en.getValue() / samples, en.getKey()));
    }
}
