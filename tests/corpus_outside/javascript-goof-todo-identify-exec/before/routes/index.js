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
