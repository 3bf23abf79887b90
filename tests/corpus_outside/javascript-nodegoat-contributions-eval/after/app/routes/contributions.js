var ContributionsDAO = require("../data/contributions-dao").ContributionsDAO;

/* The ContributionsHandler must be constructed with a connected db */
function ContributionsHandler(db) {
    "use strict";

    var contributionsDAO = new ContributionsDAO(db);

    this.handleContributionsUpdate = function(req, res, next) {
        /*jslint evil: true */
        // Insecure use of eval() to parse inputs
        var preTax = eval(req.body.preTax); // EXPECT code injection
        var afterTax = eval(req.body.afterTax); // EXPECT code injection
        var roth = eval(req.body.roth); // EXPECT code injection
        var userId = req.session.userId;
        contributionsDAO.update(userId, preTax, afterTax, roth, function(err, contributions) {
            if (err) return next(err);
            return res.render("layout", { contributions, updateSuccess: true });
        });
    };
}

module.exports = ContributionsHandler;
