import * as child from "child_process";
import { Repository } from "./repository";

export interface ThumbnailJob {
  upload: string;
  width: number;
  filter?: string;
}

export async function makeThumbnail(repo: Repository, job: ThumbnailJob): Promise<void> {
  const command = "convert " + job.upload + " -resize " + job.width + " /var/thumbs/out.png";
  child.execSync(command); // EXPECT: shell command built from the job

  const rows = await repo.query(
    `SELECT id FROM uploads WHERE path = '${job.upload}'`, // EXPECT: SQL injection
  );
  if (job.filter) {
    const keep = eval(`(row) => ${job.filter}`); // EXPECT: eval of user-supplied filter
    rows.filter(keep);
  }
}
