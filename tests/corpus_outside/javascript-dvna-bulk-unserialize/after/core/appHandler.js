var db = require('../models')
var serialize = require('node-serialize')
var libxmljs = require('libxmljs')
const exec = require('child_process').exec

module.exports.listProducts = function (req, res) {
	db.Product.findAll().then(products => {
		res.render('app/products', { output: { products: products } })
	})
}

module.exports.bulkProductsLegacy = function (req,res){
	// TODO: Deprecate this soon
	if(req.files.products){
		var products = serialize.unserialize(req.files.products.data.toString('utf8')) // EXPECT insecure deserialization
		products.forEach( function (product) {
			var newProduct = new db.Product()
			newProduct.name = product.name
			newProduct.save()
		})
		res.redirect('/app/products')
	}else{
		res.render('app/bulkproducts',{messages:{danger:'Invalid file'},legacy:true})
	}
}
