package org.portcullis.itests;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

/** The distribution's REST API over HTTPS, as the integration tests call it. */
final class ApiClient {

    static final ObjectMapper JSON = new ObjectMapper();

    final HttpClient http;
    final String base;

    /** Waits for the API of {@code dist} to answer. */
    ApiClient(Distribution dist) throws Exception {
        http = dist.https();
        base = "https://127.0.0.1:" + dist.httpsPort;
    }

    static String basic(String user, String password) {
        return "Basic " + Base64.getEncoder().encodeToString((user + ":" + password).getBytes(StandardCharsets.UTF_8));
    }

    /** {@code method} on {@code /api/v1 + path} with a JSON body (or none: a POST then still says application/json). */
    HttpResponse<String> call(String method, String path, String authorization, String body) throws IOException, InterruptedException {
        return call(method, path, authorization, body, "application/json");
    }

    HttpResponse<String> call(String method, String path, String authorization, String body, String media)
            throws IOException, InterruptedException {
        if (body == null && "POST".equals(method)) {
            body = ""; // a POST always names its type, even without a body (the API refuses what a web page could forge)
        }
        return send(method, path, authorization, body == null ? null : HttpRequest.BodyPublishers.ofString(body), media);
    }

    /** {@code method} with any body publisher; {@code media} is sent only with a body. */
    HttpResponse<String> send(String method, String path, String authorization, HttpRequest.BodyPublisher body, String media)
            throws IOException, InterruptedException {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(base + "/api/v1" + path)).timeout(Duration.ofSeconds(60));
        if (authorization != null) {
            b.header("Authorization", authorization);
        }
        if (body != null && media != null) {
            b.header("Content-Type", media);
        }
        b.method(method, body == null ? HttpRequest.BodyPublishers.noBody() : body);
        return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    static JsonNode json(HttpResponse<String> r) throws IOException {
        return JSON.readTree(r.body());
    }

    /** Polls the backup job a 202 answer points to until it has finished. */
    JsonNode job(String authorization, HttpResponse<String> accepted) throws Exception {
        if (accepted.statusCode() != 202) {
            throw new AssertionError("expected 202, got " + accepted.statusCode() + ": " + accepted.body());
        }
        String location = accepted.headers().firstValue("Location").orElseThrow().substring("/api/v1".length());
        long end = System.nanoTime() + Distribution.DEADLINE.toNanos();
        while (System.nanoTime() < end) {
            JsonNode j = json(call("GET", location, authorization, null));
            if (j.get("state").asText().equals("succeeded") || j.get("state").asText().equals("failed")) {
                return j;
            }
            Thread.sleep(200);
        }
        throw new AssertionError("job " + location + " did not finish");
    }
}
