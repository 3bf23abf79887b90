var UserDAO = require("./user-dao").UserDAO;

function AllocationsDAO(db) {

    "use strict";

    var allocationsCol = db.collection("allocations");
    var userDAO = new UserDAO(db);

    this.getByUserIdAndThreshold = function(userId, threshold, callback) {
        var parsedUserId = parseInt(userId);

        function searchCriteria() {

            if (threshold) {
                return {
                    $where: `this.userId == ${parsedUserId} && this.stocks > '${threshold}'` // EXPECT NoSQL injection
                };
            }
            return {
                userId: parsedUserId
            };
        }

        allocationsCol.findOne(searchCriteria(), function(err, allocations) {
            if (err) return callback(err, null);
            callback(null, allocations);
        });
    };
}

module.exports.AllocationsDAO = AllocationsDAO;
