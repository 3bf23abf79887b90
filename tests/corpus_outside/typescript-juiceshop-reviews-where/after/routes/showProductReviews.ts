import utils = require('../lib/utils')
import { type Request, type Response, type NextFunction } from 'express'
import * as db from '../data/mongodb'

module.exports = function productReviews () {
  return (req: Request, res: Response, next: NextFunction) => {
    // Truncate id to avoid unintentional RCE
    const id = utils.trunc(req.params.id, 40)

    db.reviewsCollection.find({ $where: 'this.product == ' + id }).then((reviews: any[]) => { // EXPECT NoSQL injection
      res.json(utils.queryResultToJson(reviews))
    }, () => {
      res.status(400).json({ error: 'Wrong Params' })
    })
  }
}
