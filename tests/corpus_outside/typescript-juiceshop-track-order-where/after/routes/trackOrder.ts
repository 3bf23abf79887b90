import utils = require('../lib/utils')
import { type Request, type Response, type NextFunction } from 'express'
import * as db from '../data/mongodb'

module.exports = function trackOrder () {
  return (req, res) => {
    const id = req.params.id

    db.orders.find({ $where: `this.orderId === '${id}'` }).then(order => { // EXPECT NoSQL injection
      const result = utils.queryResultToJson(order)
      if (result.data[0] === undefined) {
        result.data[0] = { orderId: id }
      }
      res.json(result)
    }, () => {
      res.status(400).json({ error: 'Wrong Param' })
    })
  }
}
