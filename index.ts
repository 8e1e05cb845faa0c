// The Pulumi program: read and validate config, build the platform, export its outputs.
import { main } from "./components/program";

export = main();
