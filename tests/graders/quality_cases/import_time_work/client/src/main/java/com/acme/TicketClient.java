package com.acme;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;

public class TicketClient {
    private final HttpClient http = HttpClient.newHttpClient();

    public String classify(String subject, String body) throws Exception {
        HttpRequest request = HttpRequest.newBuilder(URI.create("http://localhost:8080/classify"))
            .POST(HttpRequest.BodyPublishers.ofString(subject + "\n" + body))
            .build();
        return http.send(request, java.net.http.HttpResponse.BodyHandlers.ofString()).body();
    }
}
