var ContributionsDAO = require("../data/contributions-dao").ContributionsDAO;

/* The ContributionsHandler must be constructed with a connected db */
function ContributionsHandler(db) {
    "use strict";

    var contributionsDAO = new ContributionsDAO(db);

    this.handleContributionsUpdate = function(req, res, next) {
        var preTax = parseInt(req.body.preTax);
        var afterTax = parseInt(req.body.afterTax);
        var roth = parseInt(req.body.roth);
        var userId = req.session.userId;
        contributionsDAO.update(userId, preTax, afterTax, roth, function(err, contributions) {
            if (err) return next(err);
            return res.render("layout", { contributions, updateSuccess: true });
        });
    };
}

module.exports = ContributionsHandler;
