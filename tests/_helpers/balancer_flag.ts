/**
 * The `--balancer` flag of the benchmark and stress scripts: which load
 * balancer their pools use.
 *
 * @module
 */
import {
  LeastInFlightLoadBalancer,
  type LoadBalancer,
  RoundRobinLoadBalancer,
} from "../../mod.ts";

/** The balancers a script can be told to use. */
export type BalancerName = "round-robin" | "least-in-flight";

/**
 * Reads the flag's value; on any other, prints why, naming `program`, and
 * exits with code 2.
 */
export function balancerFlag(program: string, value: string): BalancerName {
  if (value === "round-robin" || value === "least-in-flight") return value;
  console.error(
    `${program}: --balancer must be "round-robin" or "least-in-flight", received "${value}"`,
  );
  Deno.exit(2);
}

/** A fresh balancer of the kind `name` stands for. */
export function balancerNamed(name: BalancerName): LoadBalancer {
  return name === "least-in-flight"
    ? new LeastInFlightLoadBalancer()
    : new RoundRobinLoadBalancer();
}
