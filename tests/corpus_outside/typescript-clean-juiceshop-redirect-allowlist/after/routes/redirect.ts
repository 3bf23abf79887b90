import { type Request, type Response, type NextFunction } from 'express'

module.exports = function performRedirect () {
  return (req: Request, res: Response, next: NextFunction) => {
    const to: string = req.query.to as string
    const allowedRedirectUrlMap = {
      github: 'https://github.com/juice-shop/juice-shop',
      spreadshirt: 'http://shop.spreadshirt.com/juiceshop',
      leanpub: 'http://leanpub.com/juice-shop'
    }
    if (allowedRedirectUrlMap[to]) {
      res.redirect(allowedRedirectUrlMap[to]);
    } else {
      res.status(406)
      next(new Error('Unrecognized target URL map key for redirect: ' + to));
    }
  }
}
