import { type Request, type Response, type NextFunction } from 'express'
