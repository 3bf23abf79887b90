const express = require('express');
const router = express.Router();

// SECURE: Safe endpoint with proper HTML escaping
router.get('/secure', (req, res) => {
    const userInput = req.query.input || 'No input provided';
    const safeInput = escape(userInput);
    res.setHeader('Content-Security-Policy', "default-src 'self'; script-src 'self'");
    res.setHeader('X-Content-Type-Options', 'nosniff');
    res.send(`
        <!DOCTYPE html>
        <html>
        <body>
            <h1>Secure XSS Demo</h1>
            <div class="user-input safe">${safeInput}</div>
            <form action="/xss-vuln/secure" method="get">
                <input type="text" name="input" placeholder="Enter some text" value="${safeInput}">
                <button type="submit">Submit</button>
            </form>
        </body>
        </html>
    `);
});

module.exports = router;
