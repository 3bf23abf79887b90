/*
 * Copyright (c) 2014-2024 Bjoern Kimminich & the OWASP Juice Shop contributors.
 * SPDX-License-Identifier: MIT
 */

import * as models from '../models/index'
import { type Request, type Response, type NextFunction } from 'express'
import * as security from '../lib/insecurity'

export function login () {
  return (req: Request, res: Response, next: NextFunction) => {
    models.sequelize.query(
      'SELECT * FROM Users WHERE email = :email AND password = :password AND deletedAt IS NULL',
      {
        replacements: {
          email: req.body.email || '',
          password: security.hash(req.body.password || '')
        },
        plain: true
      }
    )
      .then((authenticatedUser) => {
        res.json({ authentication: authenticatedUser })
      }).catch((error: Error) => {
        next(error)
      })
  }
}
