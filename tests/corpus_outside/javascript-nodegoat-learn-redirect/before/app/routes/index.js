var SessionHandler = require("./session");
var ErrorHandler = require("./error").errorHandler;

var exports = function(app, db) {

    "use strict";

    var sessionHandler = new SessionHandler(db);
    var isLoggedIn = sessionHandler.isLoggedInMiddleware;

    app.get("/", sessionHandler.displayWelcomePage);
    app.get("/login", sessionHandler.displayLoginPage);
    app.post("/login", sessionHandler.handleLoginRequest);

    // Error handling middleware
    app.use(ErrorHandler);
};

module.exports = exports;
