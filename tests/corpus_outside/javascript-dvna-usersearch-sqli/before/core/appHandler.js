var db = require('../models')
var serialize = require('node-serialize')
var libxmljs = require('libxmljs')
const exec = require('child_process').exec

module.exports.listProducts = function (req, res) {
	db.Product.findAll().then(products => {
		res.render('app/products', { output: { products: products } })
	})
}
