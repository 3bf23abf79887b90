/*
 * Copyright (c) 2014-2022 Bjoern Kimminich & the OWASP Juice Shop contributors.
 * SPDX-License-Identifier: MIT
 */

import fs = require('fs')
const utils = require('../lib/utils')
const libxml = require('libxmljs2')
const os = require('os')
const vm = require('vm')
const unzipper = require('unzipper')
const path = require('path')

function ensureFileIsPassed ({ file }, res, next) {
  if (file) {
    next()
  }
}

module.exports = { ensureFileIsPassed }
