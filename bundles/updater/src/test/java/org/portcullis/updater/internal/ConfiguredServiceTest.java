package org.portcullis.updater.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.annotation.Annotation;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The command kind against a service that, like Postfix, refuses to stop when stopped and to start when running. */
class ConfiguredServiceTest {

    @TempDir
    Path dir;

    private Path script(String name, String body) throws Exception {
        Path p = dir.resolve(name);
        Files.writeString(p, "#!/bin/sh\n" + body + "\n");
        Files.setPosixFilePermissions(p, PosixFilePermissions.fromString("rwx------"));
        return p;
    }

    private ConfiguredService service(String stop, String start, String status) {
        return service(stop, start, status, "");
    }

    private ConfiguredService service(String stop, String start, String status, String reload) {
        ConfiguredService s = new ConfiguredService();
        s.activate(new ServiceConfig() {
            @Override
            public Class<? extends Annotation> annotationType() {
                return ServiceConfig.class;
            }

            @Override
            public String name() {
                return "mta";
            }

            @Override
            public int order() {
                return 20;
            }

            @Override
            public String kind() {
                return "command";
            }

            @Override
            public String unit() {
                return "";
            }

            @Override
            public String stop_command() {
                return stop;
            }

            @Override
            public String start_command() {
                return start;
            }

            @Override
            public String status_command() {
                return status;
            }

            @Override
            public String reload_command() {
                return reload;
            }

            @Override
            public String[] components() {
                return new String[0];
            }

            @Override
            public long timeout_s() {
                return 30;
            }
        });
        return s;
    }

    @Test
    void stopAndStartAreHarmlessTwiceAsAfterACrash() throws Exception {
        Path state = dir.resolve("running");
        Files.writeString(state, "");
        Path stop = script("stop", "[ -e '" + state + "' ] || { echo 'fatal: the mail system is not running' >&2; exit 1; }\nrm '" + state + "'");
        Path start = script("start", "[ ! -e '" + state + "' ] || { echo 'fatal: the mail system is already running' >&2; exit 1; }\ntouch '" + state + "'");
        Path status = script("status", "[ -e '" + state + "' ]");
        ConfiguredService mta = service(stop.toString(), start.toString(), status.toString());
        assertEquals("", mta.problem());
        assertTrue(mta.running());
        mta.stop();
        mta.stop();
        assertFalse(mta.running());
        mta.start();
        mta.start();
        assertTrue(mta.running());
    }

    @Test
    void aFailingCommandSaysItsLastLine() throws Exception {
        Path start = script("start", "echo starting\necho 'fatal: open /etc/mta/main.cf: No such file or directory' >&2\nexit 1");
        ConfiguredService mta = service(script("stop", "true").toString(), start.toString(), "");
        Exception e = assertThrows(java.io.IOException.class, mta::start);
        assertEquals(start + " exited 1: fatal: open /etc/mta/main.cf: No such file or directory", e.getMessage());
    }

    @Test
    void reloadRunsTheReloadCommandOrElseStopsAndStarts() throws Exception {
        Path log = dir.resolve("log");
        Path stop = script("stop", "echo stop >> '" + log + "'");
        Path start = script("start", "echo start >> '" + log + "'");
        Path reload = script("reload", "echo reload >> '" + log + "'");
        service(stop.toString(), start.toString(), "", reload.toString()).reload();
        assertEquals("reload\n", Files.readString(log));
        Files.delete(log);
        service(stop.toString(), start.toString(), "").reload();
        assertEquals("stop\nstart\n", Files.readString(log), "without a reload command");
        Exception e = assertThrows(java.io.IOException.class, () -> service(stop.toString(), start.toString(), "", script("bad",
                "echo 'postfix: fatal: the Postfix mail system is not running' >&2; exit 1").toString()).reload());
        assertTrue(e.getMessage().endsWith("exited 1: postfix: fatal: the Postfix mail system is not running"), e.getMessage());

        // stopped (by an update): a reload leaves it stopped
        Files.delete(log);
        ConfiguredService stopped = service(stop.toString(), start.toString(), script("status", "exit 3").toString(), reload.toString());
        stopped.reload();
        assertFalse(Files.exists(log), "neither reloaded nor started");
        ConfiguredService noStatus = service(stop.toString(), start.toString(), "");
        noStatus.stop();
        Files.delete(log);
        noStatus.reload();
        assertFalse(Files.exists(log), "stopped by the updater, without a status command: left stopped");
    }
}
