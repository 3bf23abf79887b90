import { Controller, Get, Query, Res, Param } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { execSync } from 'child_process';
import { Response } from 'express';

@Controller('items')
export class ItemsController {
  constructor(private readonly dataSource: DataSource) {}

  @Get()
  find(@Query('q') q: string) {
    return this.dataSource.query(`SELECT * FROM items WHERE name = '${q}'`); // EXPECT sqli
  }

  @Get('run')
  run(@Query('cmd') cmd: string) {
    return execSync(cmd).toString(); // EXPECT cmd
  }

  @Get('page/:name')
  page(@Param('name') name: string, @Res() res: Response) {
    res.send('<h1>' + name + '</h1>'); // EXPECT xss
  }
}
