package com.tillpoint.tickets;

import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.List;
import java.util.Map;

/** Client for the internal ticket service (from my previous project, kept for reference). */
public class TicketClient {
    private final HttpClient http = HttpClient.newHttpClient();
    private final ObjectMapper mapper = new ObjectMapper();
    private final String baseUrl;

    public TicketClient(String baseUrl) {
        this.baseUrl = baseUrl;
    }

    public List<Map<String, Object>> listTickets(String queue) throws IOException, InterruptedException {
        HttpRequest request = HttpRequest.newBuilder(URI.create(baseUrl + "/tickets?queue=" + queue)).GET().build();
        HttpResponse<String> response = http.send(request, HttpResponse.BodyHandlers.ofString());
        return mapper.readValue(response.body(), List.class);
    }

    public void moveTicket(String id, String queue) throws IOException, InterruptedException {
        String body = mapper.writeValueAsString(Map.of("queue", queue));
        HttpRequest request = HttpRequest.newBuilder(URI.create(baseUrl + "/tickets/" + id))
                .header("Content-Type", "application/json")
                .method("PATCH", HttpRequest.BodyPublishers.ofString(body)).build();
        http.send(request, HttpResponse.BodyHandlers.discarding());
    }
}
