import express from 'express'

const router = express.Router()

export default router
