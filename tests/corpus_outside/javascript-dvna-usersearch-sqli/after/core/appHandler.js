var db = require('../models')
var serialize = require('node-serialize')
var libxmljs = require('libxmljs')
const exec = require('child_process').exec

module.exports.listProducts = function (req, res) {
	db.Product.findAll().then(products => {
		res.render('app/products', { output: { products: products } })
	})
}

module.exports.userSearch = function (req, res) {
	var query = "SELECT name FROM Users WHERE login='" + req.body.login + "'";
	db.sequelize.query(query,{ model: db.User }).then(user => { // EXPECT SQL injection
		if(user.length){
			res.render('app/usersearch', { output: { user: { name: user[0].name } } })
		} else {
			res.render('app/usersearch', { output: null })
		}
	})
}
