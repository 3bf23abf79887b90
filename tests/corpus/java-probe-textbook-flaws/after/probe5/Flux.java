package demo;

import org.springframework.web.bind.annotation.*;
import org.springframework.web.reactive.function.client.WebClient;
import reactor.core.publisher.Mono;

@RestController
class ProxyController {
    private final WebClient client = WebClient.create();

    @GetMapping("/proxy")
    public Mono<String> proxy(@RequestParam String url) {
        return client.get().uri(url).retrieve().bodyToMono(String.class); // EXPECT ssrf
    }

    @GetMapping("/fetch")
    public String fetch(@RequestParam String target) throws Exception {
        return new org.springframework.web.client.RestTemplate().getForObject(target, String.class); // EXPECT ssrf
    }
}
