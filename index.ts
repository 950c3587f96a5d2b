/**
 * Package entry point `anju`: the domain kernel and the application layer. Adapters and hosts have
 * their own subpaths (`anju/adapters/postgres`, `anju/hosts/http`, …) so importing `anju` pulls in no
 * database driver or web framework.
 */
export * as Domain from "./domain/index.js"
export * as Application from "./application/index.js"
