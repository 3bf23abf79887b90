var db = require('../models')
var serialize = require('node-serialize')
var libxmljs = require('libxmljs')
const exec = require('child_process').exec

module.exports.listProducts = function (req, res) {
	db.Product.findAll().then(products => {
		res.render('app/products', { output: { products: products } })
	})
}

module.exports.ping = function (req, res) {
	exec('ping -c 2 '+ req.body.address, function(err,stdout,stderr){ // EXPECT command injection
		console.log(err)
		output = stdout + stderr
		res.render('app/ping', {
			output: output
		})
	})
}
