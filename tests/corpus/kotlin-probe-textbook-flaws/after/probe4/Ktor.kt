package demo

import io.ktor.http.ContentType
import io.ktor.server.application.call
import io.ktor.server.response.respondRedirect
import io.ktor.server.response.respondText
import io.ktor.server.routing.Routing
import io.ktor.server.routing.get
import java.io.File

fun Routing.routes() {
    get("/hi") {
        call.respondText("<h1>" + call.parameters["name"] + "</h1>", ContentType.Text.Html) // EXPECT xss
    }
    get("/go") {
        call.respondRedirect(call.request.queryParameters["next"]!!) // EXPECT redirect
    }
    get("/f") {
        call.respondText(File("/srv/files/" + call.parameters["name"]).readText()) // EXPECT path
    }
    get("/run") {
        Runtime.getRuntime().exec(call.request.queryParameters["cmd"]) // EXPECT cmd
    }
}
