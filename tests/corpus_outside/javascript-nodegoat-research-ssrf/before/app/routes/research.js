var ResearchDAO = require("../data/research-dao").ResearchDAO;
var needle = require('needle');

function ResearchHandler(db) {
    "use strict";

    var researchDAO = new ResearchDAO(db);

    this.displayResearch = function(req, res, next) {
        return res.render("research");
    };

}

module.exports = ResearchHandler;
