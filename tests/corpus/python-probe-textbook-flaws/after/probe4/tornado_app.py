import tornado.web


class MainHandler(tornado.web.RequestHandler):
    def get(self):
        self.write("<p>" + self.get_argument("name") + "</p>")  # EXPECT xss

    def post(self):
        self.redirect(self.get_body_argument("next"))  # EXPECT redirect
