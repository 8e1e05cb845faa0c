// One group of a sharded render or policy check (render-shards.ts): reads its ShardRequest on stdin, prints its ShardResult.
import { inStackFile, runTool } from "./cli";
import { renderPlatform } from "./render";
import { renderShard, ShardRequest } from "./render-shards";

async function main(): Promise<number> {
  const chunks: Buffer[] = [];
  for await (const c of process.stdin) chunks.push(c as Buffer);
  const request = JSON.parse(Buffer.concat(chunks).toString("utf8")) as ShardRequest;
  const result = await renderShard(request, (stack, config, onlyTenants, preview) => renderPlatform(stack, config, {}, { onlyTenants, preview }).catch(inStackFile(request.source)));
  process.stdout.write(JSON.stringify(result));
  return 0;
}

runTool("render", "a shard of npm run render or npm run policy (not run by hand)", main);
