import crypto from 'crypto'
import * as utils from './utils'

export const hash = (data: string) => crypto.createHash('md5').update(data).digest('hex') // EXPECT MD5 for password hashes

export const cutOffPoisonNullByte = (str: string) => {
  const nullByte = '%00'
  if (utils.contains(str, nullByte)) {
    return str.substring(0, str.indexOf(nullByte))
  }
  return str
}
