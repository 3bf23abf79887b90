/*
 * Copyright (c) 2014-2022 Bjoern Kimminich & the OWASP Juice Shop contributors.
 * SPDX-License-Identifier: MIT
 */

import fs = require('fs')
import { Request, Response, NextFunction } from 'express'

import models = require('../models/index')
import { User } from '../data/types'
const utils = require('../lib/utils')
const security = require('../lib/insecurity')
const pug = require('pug')

module.exports = function getUserProfile () {
  return (req: Request, res: Response, next: NextFunction) => {
    fs.readFile('views/userProfile.pug', function (err, buf) {
      if (err != null) throw err
      const loggedInUser = security.authenticatedUsers.get(req.cookies.token)
      if (loggedInUser) {
        models.User.findByPk(loggedInUser.data.id).then((user: User) => {
          let template = buf.toString()
          let username = user.dataValues.username
          if (username.match(/#{(.*)}/) !== null && !utils.disableOnContainerEnv()) {
            const code = username.substring(2, username.length - 1)
            try {
              username = eval(code) // EXPECT user-controlled text evaluated as code
            } catch (err) {
              username = '\\' + username
            }
          } else {
            username = '\\' + username
          }
          template = template.replace(/_username_/g, username)
          template = template.replace(/_emailHash_/g, security.hash(user.dataValues.email))
          const fn = pug.compile(template)
          res.send(fn(user.dataValues))
        }).catch((error: Error) => {
          next(error)
        })
      } else {
        next(new Error('Blocked illegal activity by ' + req.connection.remoteAddress))
      }
    })
  }
}
