import { Request, Response, Router } from 'express';
import { exec } from 'child_process';
import * as fs from 'fs';

const router = Router();

router.get('/run', async (req: Request, res: Response) => {
  const cmd = req.query.cmd as string;
  exec(cmd, (err, stdout) => res.send(stdout)); // EXPECT cmd
});

router.get('/read', (req: Request, res: Response) => {
  const name = String(req.query.name);
  fs.readFile('/srv/files/' + name, 'utf8', (err, data) => res.send(data)); // EXPECT path
});

router.post('/greet', (req: Request, res: Response) => {
  const { user } = req.body;
  res.status(200).send('<p>Welcome back, ' + user + '</p>'); // EXPECT xss
});

export default router;
