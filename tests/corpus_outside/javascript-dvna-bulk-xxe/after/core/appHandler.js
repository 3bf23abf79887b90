var db = require('../models')
var serialize = require('node-serialize')
var libxmljs = require('libxmljs')
const exec = require('child_process').exec

module.exports.listProducts = function (req, res) {
	db.Product.findAll().then(products => {
		res.render('app/products', { output: { products: products } })
	})
}

module.exports.bulkProducts =  function(req, res) {
	if (req.files.products && req.files.products.mimetype=='text/xml'){
		var products = libxmljs.parseXmlString(req.files.products.data.toString('utf8'), {noent:true,noblanks:true}) // EXPECT XXE
		products.root().childNodes().forEach( product => {
			var newProduct = new db.Product()
			newProduct.name = product.childNodes()[0].text()
			newProduct.save()
		})
		res.redirect('/app/products')
	}else{
		res.render('app/bulkproducts',{messages:{danger:'Invalid file'},legacy:false})
	}
}
