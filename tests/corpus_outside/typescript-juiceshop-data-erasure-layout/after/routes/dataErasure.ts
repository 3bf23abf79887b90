import express, { type NextFunction, type Request, type Response } from 'express'
import path from 'path'
import { PrivacyRequestModel } from '../models/privacyRequests'
const insecurity = require('../lib/insecurity')

const router = express.Router()

router.post('/', async (req: Request, res: Response, next: NextFunction): Promise<void> => {
  const loggedInUser = insecurity.authenticatedUsers.get(req.cookies.token)
  if (!loggedInUser) {
    next(new Error('Blocked illegal activity by ' + req.socket.remoteAddress))
    return
  }
  try {
    await PrivacyRequestModel.create({ UserId: loggedInUser.data.id, deletionRequested: true })
    res.clearCookie('token')
    if (req.body.layout) {
      const filePath: string = path.resolve(req.body.layout).toLowerCase()
      const isForbiddenFile: boolean = (filePath.includes('ftp') || filePath.includes('ctf.key') || filePath.includes('encryptionkeys'))
      if (!isForbiddenFile) {
        res.render('dataErasureResult', { // EXPECT request body chooses the rendered layout file
          ...req.body
        }, (error, html) => {
          if (!html || error) {
            next(new Error(error.message))
          } else {
            res.send(html.slice(0, 100) + '......')
          }
        })
      } else {
        next(new Error('File access not allowed'))
      }
    } else {
      res.render('dataErasureResult', { // EXPECT request body chooses the rendered layout file
        ...req.body
      })
    }
  } catch (error) {
    next(error)
  }
})

export default router
