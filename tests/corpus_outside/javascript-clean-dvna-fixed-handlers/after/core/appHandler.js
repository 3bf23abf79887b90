var db = require('../models')
var vh = require('./validationHandler')
const execFile = require('child_process').execFile

module.exports.userSearch = function (req, res) {
	if (vh.vCode(req.body.login)){
		db.User.find({where:{'login':req.body.login}}).then(user => {
			if (user) {
				res.render('app/usersearch', { output: { user: { name: user.name, id: user.id } } })
			} else {
				req.flash('warning', 'User not found')
				res.render('app/usersearch', { output: null })
			}
		})
	}else{
		req.flash('danger', 'Input Validation Failed')
		res.render('app/usersearch', { output: null })
	}
}

module.exports.ping = function (req, res) {
	if (vh.vIP(req.body.address)){
		execFile('ping', ['-c', '2', req.body.address] , function(err,stdout,stderr){
		output = stdout + stderr
			res.render('app/ping', { output: output })
		})
	}else{
		res.render('app/ping', { output: 'Input Validation Failed' })
	}
}
