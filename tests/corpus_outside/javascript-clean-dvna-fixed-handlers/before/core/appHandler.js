var db = require('../models')
var vh = require('./validationHandler')
