import { type Request, type Response, type NextFunction } from 'express'
import * as db from '../data/mongodb'

const security = require('../lib/insecurity')
