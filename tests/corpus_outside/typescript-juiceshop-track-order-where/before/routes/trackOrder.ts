import utils = require('../lib/utils')
import { type Request, type Response, type NextFunction } from 'express'
import * as db from '../data/mongodb'
