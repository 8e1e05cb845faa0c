// One group of a sharded render (render-shards.ts): reads its ShardRequest on stdin, prints its ShardResult.
import { inStackFile, runTool } from "./cli";
import { renderPlatform } from "./render";
import { renderShard, ShardRequest } from "./render-shards";

async function main(): Promise<number> {
  const chunks: Buffer[] = [];
  for await (const c of process.stdin) chunks.push(c as Buffer);
  const request = JSON.parse(Buffer.concat(chunks).toString("utf8")) as ShardRequest;
  const result = await renderShard(request, (stack, config, onlyTenants) => renderPlatform(stack, config, {}, { onlyTenants }).catch(inStackFile(request.source)));
  process.stdout.write(JSON.stringify(result));
  return 0;
}

runTool("render", "a shard of npm run render (not run by hand)", main);
