var utils = require('../utils');
var mongoose = require('mongoose');
var Todo = mongoose.model('Todo');
var User = mongoose.model('User');
var exec = require('child_process').exec;
var _ = require('lodash');

exports.index = function (req, res, next) {
  Todo.find({}).sort('-updated_at').exec(function (err, todos) {
    if (err) return next(err);
    res.render('index', { title: 'Goof TODO', todos: todos });
  });
};

exports.loginHandler = function (req, res, next) {
  User.find({ username: req.body.username, password: req.body.password }, function (err, users) {
    if (users.length > 0) {
      const redirectPage = req.body.redirectPage
      return adminLoginSuccess(redirectPage, res)
    } else {
      return res.redirect('/admin')
    }
  });
};

function adminLoginSuccess(redirectPage, res) {
  console.log({redirectPage})
  if (redirectPage) {
      return res.redirect(redirectPage) // EXPECT open redirect
  } else {
      return res.redirect('/admin')
  }
}
