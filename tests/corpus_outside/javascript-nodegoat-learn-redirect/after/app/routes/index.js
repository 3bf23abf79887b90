var SessionHandler = require("./session");
var ErrorHandler = require("./error").errorHandler;

var exports = function(app, db) {

    "use strict";

    var sessionHandler = new SessionHandler(db);
    var isLoggedIn = sessionHandler.isLoggedInMiddleware;

    app.get("/", sessionHandler.displayWelcomePage);
    app.get("/login", sessionHandler.displayLoginPage);
    app.post("/login", sessionHandler.handleLoginRequest);

    // Handle redirect for learning resources link
    app.get("/learn", isLoggedIn, function(req, res, next) {
        // Insecure way to handle redirects by taking redirect url from query string
        return res.redirect(req.query.url); // EXPECT open redirect
    });

    // Error handling middleware
    app.use(ErrorHandler);
};

module.exports = exports;
