import { type Request, type Response, type NextFunction } from 'express'
import * as models from '../models/index'
import * as utils from '../lib/utils'
