#!/usr/bin/env python3
"""Write a realistic etcd store of N resources, shaped like the seed documents.

    scripts/generate-dump.py --resources 100000 --format etcdctl-json --out dump.json
    scripts/generate-dump.py --size 1G --format jsonl --out dump.jsonl --fault-rate 0.01

Every resource gets fresh ids, MACs, IPs, VMI ids and versions. Most are at rest (created
at version 1 or modified to a later version), some are in flight (a job for the next
version, the state still at the old one), some failed (a failed stack and state, with an
error). A fraction (--fault-rate) carries one planted fault, named in --faults-out (JSON
lines: resource id and the rule that must fire). --value-scale K makes the values about K
times larger (longer descriptions, which no rule keeps) without changing what the rules
read. Output is deterministic for a given --seed. Streams: memory stays small at any size.
The etcdctl-json header carries the store's revision, the last record's, as etcdctl's
does: the records are generated twice, once to count them before the header is written.
"""
import argparse
import base64
import json
import random
import re
import sys
import uuid

FAULTS = ["heat-outputs.mac-mismatch", "unique.vmi", "monitoring.failed", "refs.duplicate",
          "heat-outputs.mismatch", "version.mismatch", "input.invalid-json", "status.mismatch",
          "heat-outputs.undecodable", "identity.mismatch"]


def parse_size(text):
    m = re.fullmatch(r"(\d+(?:\.\d+)?)([KMG]?)B?", text.upper())
    if not m:
        raise argparse.ArgumentTypeError("size like 100M or 1G")
    return int(float(m.group(1)) * {"": 1, "K": 1 << 10, "M": 1 << 20, "G": 1 << 30}[m.group(2)])


class Generator:
    def __init__(self, seed, fault_rate, value_scale):
        self.rng = random.Random(seed)
        self.fault_rate = fault_rate
        self.padding = "x" * (200 * (value_scale - 1)) if value_scale > 1 else ""
        self.shared_vmi = None

    def uid(self):
        return str(uuid.UUID(int=self.rng.getrandbits(128), version=4))

    def mac(self):
        return "fa:16:3e:%02x:%02x:%02x" % tuple(self.rng.randrange(256) for _ in range(3))

    def resource(self, index):
        """The records of one port, as (key, value text) pairs, and its planted fault."""
        rng = self.rng
        rid, net, subnet, vmi = self.uid(), self.uid(), self.uid(), self.uid()
        tenant = "%032x" % rng.getrandbits(128)
        mac = self.mac()
        ip = "10.%d.%d.%d" % (rng.randrange(256), rng.randrange(256), rng.randrange(1, 255))
        scenario = rng.choices(["create", "modify", "in-flight", "failed"], [45, 40, 10, 5])[0]
        fault = rng.choice(FAULTS) if rng.random() < self.fault_rate else None
        if fault == "version.mismatch" and scenario == "in-flight":
            scenario = "modify"  # a state ahead of a resource in flight would also leave a stale job
        version = 1 if scenario in ("create", "failed") else rng.randrange(2, 9)
        action, op = ("create", "CREATE") if version == 1 else ("modify", "UPDATE")
        config_version = version + 1 if scenario == "in-flight" else version
        status = "PENDING_CREATE" if config_version == 1 else "PENDING_UPDATE"
        body = {
            "allowed_address_pairs": [], "device_owner": "compute:nova", "fake_delete": True,
            "fixed_ips": [{"subnet_id": subnet, "ip_address": ip}], "id": rid, "security_groups": [],
            "binding:vif_type": "vrouter", "mac_address": mac, "status": status,
            "description": self.padding, "tags": {}, "segmentation_id": 0, "device_id": self.uid(),
            "name": "port-%d" % index, "admin_state_up": True, "network_id": net, "tenant_id": tenant,
            "managed_by_service": False, "attached": True, "operational_state": "NO_STATE",
            "orchestration_state": op + "_IN_PROGRESS", "segmentation_type": "flat"}
        if fault == "unique.vmi":
            if self.shared_vmi is None:
                self.shared_vmi = vmi
            vmi = self.shared_vmi
        outputs = [
            {"output_value": [["default-domain", "admin", net]], "description": "Virtual network." + self.padding,
             "output_key": "virtual_network"},
            {"output_value": "default-domain:admin:" + vmi, "description": "Fully Qualified Name of the VMI",
             "output_key": "fq_name"},
            {"output_value": vmi, "description": "A unique id for the virtual machine interface.", "output_key": "id"},
            {"output_value": {"allowed_address_pair": []}, "description": "Virtual machine allowed address pairs.",
             "output_key": "allowed_address_pairs"},
            {"output_value": [mac], "description": "Virtual machine interface mac address.", "output_key": "mac_address"}]
        stack_outputs = json.loads(json.dumps(outputs))
        if fault == "heat-outputs.mac-mismatch":
            built = self.mac()
            for o in (outputs, stack_outputs):
                o[4]["output_value"] = [built]
        state_outputs = json.loads(json.dumps(outputs))
        if fault == "heat-outputs.mismatch":
            stack_outputs[1]["output_value"] = "default-domain:admin:" + self.uid()
        stack_status = op + "_COMPLETE"
        worker = {"CREATE": "CREATE", "UPDATE": "MODIFY"}[op] + "_COMPLETED"
        error = ""
        if scenario == "failed":
            stack_status, worker, error = op + "_FAILED", "CREATE_FAILED", "Resource CREATE failed: quota exceeded"
        job_state_status = stack_status
        if fault == "status.mismatch":
            stack_status = op + "_FAILED" if scenario != "failed" else op + "_COMPLETE"

        def job(v, act):
            nonce = "".join(rng.choice("abcdefghijklmnopqrstuvwxyz0123456789") for _ in range(5))
            key = "/jobs/all/%s:heat_worker:port:%s:%d:%s" % (act, rid, v, nonce)
            net_refs = [{"resource_type": "network", "resource_id": net}]
            if fault == "refs.duplicate":
                net_refs = net_refs * 2
            params = [
                {"resources": [], "type": "value", "value": True, "param": "jinja_attached"},
                {"resources": net_refs, "type": "output_key",
                 "value": {"output_key": "id", "resource_type": "network", "resource_id": net}, "param": "virtual_network"},
                {"resources": [], "type": "value", "value": body["device_id"], "param": "virtual_machine"},
                {"resources": [], "type": "value", "value": rid, "param": "name"},
                {"resources": [], "type": "value", "value": True, "param": "admin_state_up"},
                {"resources": [], "type": "value", "value": tenant, "param": "tenant_id"},
                {"resources": [], "type": "value", "value": "13", "param": "heat_timeout"},
                {"resources": [], "type": "value", "value": [], "param": "virtual_machine_interface_allowed_address_pairs"},
                {"resources": [], "type": "value", "value": mac, "param": "virtual_machine_interface_mac_address"},
                {"resources": [], "type": "value", "value": "compute:nova", "param": "device_owner"},
                {"resources": [], "type": "value", "value": v, "param": "version"},
                {"resources": [], "type": "value", "value": [], "param": "security_groups"},
                {"resources": [], "type": "value", "value": [{"subnet_id": subnet, "ip_address": ip}], "param": "jinja_fixed_ips"},
                {"resources": [], "type": "value", "value": "compute:nova", "param": "jinja_device_owner"},
                {"resources": [{"resource_type": "subnet", "resource_id": subnet}], "type": "list",
                 "value": [{"param": "jinja_subnets", "type": "output_key",
                            "value": {"output_key": "id", "resource_type": "subnet", "resource_id": subnet}, "resources": []}],
                 "param": "jinja_subnets"},
                {"resources": [], "type": "value", "value": rid, "param": "uuid"}]
            value = ["heat_worker", {
                "is_first": True, "resource_id": rid, "handler": "heat_worker",
                "job_name": "port:%s:%d" % (rid, v), "dependency": [], "version": v, "params": params,
                "resource_type": "port", "action": act, "is_last": True, "on_failure": "fail",
                "id": key[len("/jobs/all/"):], "resource_input": dict(body, status=status)}, 0]
            return key, value

        records = []
        records.append(("/config/v2.0/ports/" + rid,
                        {"body": body, "version": config_version, "marked_for_deletion": False}))
        records.append(job(version, action))
        if scenario == "in-flight":
            records.append(job(config_version, "modify"))
        records.append(("/esi-worker/heat_stacks/v2.0/ports/" + rid, {
            "stack_id": ("port_" + rid) if fault != "identity.mismatch" else "port_" + self.uid(),
            "tenant_id": tenant, "stack_status": stack_status, "output": stack_outputs,
            "status_reason": "Stack %s completed successfully" % op, "id": "port:" + rid}))
        records.append(("/esi-worker/job_state/v2.0/ports/" + rid,
                        {"heat_outputs": outputs, "orchestration_state": job_state_status}))
        encoded = json.dumps(state_outputs)
        if fault == "heat-outputs.undecodable":
            encoded = encoded[: len(encoded) // 2]
        state_version = version if fault != "version.mismatch" else version + 5
        records.append(("/state/v2.0/ports/" + rid, {
            "state": {"worker_state": worker, "heat_outputs": encoded, "orchestration_state": job_state_status},
            "version": state_version, "error": error}))
        monitoring = {"version": version, "vmi": "OK"}
        if fault == "monitoring.failed":
            monitoring["vmi"] = "FAIL"
        records.append(("/monitoring/v2.0/ports/" + rid, monitoring))
        out = []
        for key, value in records:
            text = json.dumps(value)
            if fault == "input.invalid-json" and key.startswith("/monitoring/"):
                text = text[:-3]
            out.append((key, text))
        return rid, out, fault


def header(revision):
    """etcdctl's header: the store's revision is the last one written."""
    return ('{"header":{"cluster_id":14841639068965178418,"member_id":10276657743932975437,"revision":%d,'
            '"raft_term":2},"kvs":[' % revision)


def resources(args):
    """(resource id, planted fault, its records as written) for each resource of the dump,
    in order, until --resources or --size is reached. The same arguments give the same
    stream, so it can be run twice: once to count the records, once to write them."""
    gen = Generator(args.seed, args.fault_rate, args.value_scale)
    # --size budgets the header at its length with revision 0, as it was written before it
    # carried the last revision: a seed and size give the records they always gave.
    written = len(header(0)) if args.format == "etcdctl-json" else 0
    revision = 0
    index = 0
    while (args.resources is not None and index < args.resources) or (args.size is not None and written < args.size):
        rid, records, fault = gen.resource(index)
        lines = []
        for key, text in records:
            revision += 1
            if args.format == "etcdctl-json":
                line = ('' if revision == 1 else ',') + (
                    '{"key":"%s","create_revision":%d,"mod_revision":%d,"version":1,"value":"%s"}' % (
                        base64.b64encode(key.encode()).decode(), revision, revision,
                        base64.b64encode(text.encode()).decode()))
            else:
                line = '{"key": %s, "value": %s, "create_revision": %d, "mod_revision": %d}\n' % (
                    json.dumps(key), json.dumps(text), revision, revision)
            lines.append(line)
            written += len(line)
        yield rid, fault, lines
        index += 1


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    size = ap.add_mutually_exclusive_group(required=True)
    size.add_argument("--resources", type=int)
    size.add_argument("--size", type=parse_size, help="stop after about this many bytes (100M, 1G)")
    ap.add_argument("--format", choices=["etcdctl-json", "jsonl"], default="etcdctl-json")
    ap.add_argument("--out", required=True, help="file to write ('-' for stdout)")
    ap.add_argument("--fault-rate", type=float, default=0.01)
    ap.add_argument("--faults-out", help="write the planted faults here (JSON lines)")
    ap.add_argument("--value-scale", type=int, default=1)
    ap.add_argument("--seed", type=int, default=1)
    args = ap.parse_args()

    out = sys.stdout if args.out == "-" else open(args.out, "w")
    faults = open(args.faults_out, "w") if args.faults_out else None
    written = 0
    revision = 0
    index = 0
    if args.format == "etcdctl-json":
        # The header comes first and holds the store's revision, the last record's: a
        # first pass counts the records (generating them again costs time, not memory).
        head = header(sum(len(lines) for _, _, lines in resources(args)))
        out.write(head)
        written += len(head)
    for rid, fault, lines in resources(args):
        if faults and fault:
            faults.write(json.dumps({"resource_id": rid, "rule": fault}) + "\n")
        for line in lines:
            out.write(line)
            written += len(line)
        revision += len(lines)
        index += 1
    if args.format == "etcdctl-json":
        tail = '],"count":%d}' % revision
        out.write(tail)
        written += len(tail)
    if out is not sys.stdout:
        out.close()
    print("resources=%d records=%d bytes=%d" % (index, revision, written), file=sys.stderr)


if __name__ == "__main__":
    main()
