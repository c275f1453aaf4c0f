#!/usr/bin/env python3
"""Writes data/demo/scheme.json, the demo CHS-DRG scheme (opendrg-scheme/1).

The rule structure below is this project's own, illustrative simplification. Every code string,
every code, DRG and status name, the CC/MCC membership with its exclusion-table ids, and the
pipeline come from the national CHS-DRG 1.1 scheme (shared/schemes/opendrg/chs_drg_11.json),
restricted to the codes used here. Usage:

    python3 scripts/make-demo-scheme.py ../shared/schemes/opendrg/chs_drg_11.json > data/demo/scheme.json
"""
import json
import sys

NAT = json.load(open(sys.argv[1], encoding="utf-8"))

# ---- lists: id -> (kind, codes) -------------------------------------------------------------
LISTS = {
    "OR": ("proc", ["00.6600", "36.0600", "36.0700", "51.2200", "51.2300", "74.1x00", "74.1x01",
                    "81.5100", "81.5200", "88.5500", "96.7201"]),
    "A_VENT": ("proc", ["96.7201"]),
    "P_MDC": ("dx", ["P07.000", "P07.100", "P07.300", "P21.900", "P22.900", "P23.900", "P36.900",
                     "P59.000", "P59.901"]),
    "P_PRETERM": ("dx", ["P07.000", "P07.100", "P07.300"]),
    "P_TERM": ("dx", ["P21.900", "P22.900", "P23.900", "P36.900", "P59.000", "P59.901"]),
    "E_MDC": ("dx", ["J15.900", "J18.000", "J18.900", "J98.414"]),
    "F_MDC": ("dx", ["I20.000", "I21.000", "I21.400", "I21.900", "I50.900"]),
    "F_PCI": ("proc", ["00.6600", "36.0600", "36.0700"]),
    "F_AMI": ("dx", ["I21.000", "I21.400", "I21.900"]),
    "F_HF": ("dx", ["I50.900"]),
    "F_ANGINA": ("dx", ["I20.000"]),
    "H_MDC": ("dx", ["K80.000", "K80.100", "K80.101", "K81.000"]),
    "H_OPEN": ("proc", ["51.2200"]),
    "H_LAP": ("proc", ["51.2300"]),
    "H_ACUTE": ("dx", ["K80.000", "K81.000"]),
    "H_OTHER": ("dx", ["K80.100", "K80.101"]),
    "I_MDC": ("dx", ["M16.900", "S72.000", "S72.100"]),
    "I_HIP": ("proc", ["81.5100", "81.5200"]),
    "I_FEMUR": ("dx", ["S72.000", "S72.100"]),
    "I_ARTHRO": ("dx", ["M16.900"]),
    "O_MDC": ("dx", ["O34.200", "O64.100", "O80.000", "O80.900", "O82.000", "O82.900"]),
    "O_CS": ("proc", ["74.1x00", "74.1x01"]),
    "O_VAG_PROC": ("proc", ["73.5900x001", "73.6x00"]),
    "O_VAG": ("dx", ["O80.000", "O80.900"]),
    "O_OTHER": ("dx", ["O34.200", "O64.100", "O82.000", "O82.900"]),
    "T_MDC": ("dx", ["F20.000", "F20.300", "F20.900", "F32.900"]),
    "T_SCZ": ("dx", ["F20.000", "F20.300", "F20.900"]),
    "T_MOOD": ("dx", ["F32.900"]),
}
# codes used only as secondary diagnoses or non-OR procedures
EXTRA_DX = ["A41.900", "D64.900", "E03.900", "E11.900", "E87.100", "E87.600", "I10.x00", "I25.100",
            "J44.100", "J96.000", "N17.900", "R57.000", "Z37.000"]
EXTRA_PROC = ["37.2200", "94.2700", "96.0400", "99.0400"]


def leaf(kind, lst=None, **kw):
    d = {"kind": kind}
    if lst:
        d["list"] = lst
    d.update(kw)
    return d


MCC = leaf("has_mcc")
MCC_OR_CC = {"any": [leaf("has_mcc"), leaf("has_cc")]}
TRUE = {"const": True}


def rule(adrg, when, drgs, note):
    return {"rule": adrg, "adrg": adrg, "when": when,
            "drgs": [{"drg": d, "when": w, "source": "demo"} for d, w in drgs],
            "otherwise": adrg, "note": note}


def sev3(adrg):  # 1 / 3 / 5
    return [(adrg + "1", MCC), (adrg + "3", MCC_OR_CC), (adrg + "5", TRUE)]


def sev15(adrg):  # 1 / 5
    return [(adrg + "1", MCC), (adrg + "5", TRUE)]


def sev35(adrg):  # 3 / 5
    return [(adrg + "3", MCC_OR_CC), (adrg + "5", TRUE)]


def nine(adrg):
    return [(adrg + "9", TRUE)]


def newborn(lo, hi):
    c = [leaf("any_dx_in", "P_PRETERM"), leaf("weight_present")]
    if lo is not None:
        c.append(leaf("weight_g", op=">=", value=lo))
    if hi is not None:
        c.append(leaf("weight_g", op="<", value=hi))
    c += [leaf("age_days_present"), leaf("age_days", op="<=", value=28)]
    return {"all": c}


MDCS = [
    ("MDCA", "A", leaf("principal_proc_in", "A_VENT"), [
        rule("AH1", leaf("principal_proc_in", "A_VENT"), sev15("AH1"), "先期分组：有创呼吸机支持≥96小时"),
    ]),
    ("MDCP", "P", {"all": [leaf("principal_dx_in", "P_MDC"), leaf("age_years", op="==", value=0)]}, [
        rule("PS1", newborn(None, 1500), sev3("PS1"), "早产/低体重，体重<1500克，新生儿"),
        rule("PS2", newborn(1500, 2000), sev15("PS2"), "早产/低体重，体重1500-1999克，新生儿"),
        rule("PS3", newborn(2000, 2500), nine("PS3"), "早产/低体重，体重2000-2499克，新生儿"),
        rule("PS4", newborn(2500, None), sev35("PS4"), "早产，体重≥2500克，新生儿"),
        rule("PU1", {"all": [leaf("principal_dx_in", "P_TERM"), leaf("age_days_present"),
                             leaf("age_days", op="<=", value=28)]}, sev35("PU1"), "足月儿，主诊断匹配"),
        rule("PV1", TRUE, sev35("PV1"), "29天至1周岁的婴儿"),
    ]),
    ("MDCE", "E", leaf("principal_dx_in", "E_MDC"), [
        rule("ES3", leaf("principal_dx_in", "E_MDC"), sev3("ES3"), "呼吸系统感染/炎症：主诊断匹配"),
    ]),
    ("MDCF", "F", leaf("principal_dx_in", "F_MDC"), [
        rule("FM1", leaf("principal_proc_in", "F_PCI"), nine("FM1"), "主手术匹配：经皮冠状动脉介入"),
        {"qy": "FQY", "when": leaf("principal_proc_in", "OR")},
        rule("FR1", leaf("principal_dx_in", "F_AMI"), nine("FR1"), "主诊断匹配：急性心肌梗死"),
        rule("FR2", leaf("principal_dx_in", "F_HF"), sev15("FR2"), "主诊断匹配：心力衰竭"),
        rule("FR3", leaf("principal_dx_in", "F_ANGINA"), nine("FR3"), "主诊断匹配：心绞痛"),
    ]),
    ("MDCH", "H", leaf("principal_dx_in", "H_MDC"), [
        rule("HC1", leaf("principal_proc_in", "H_OPEN"), sev35("HC1"), "主手术匹配：开腹胆囊切除"),
        rule("HC2", leaf("principal_proc_in", "H_LAP"), nine("HC2"), "主手术匹配：腹腔镜胆囊切除"),
        {"qy": "HQY", "when": leaf("principal_proc_in", "OR")},
        rule("HU1", leaf("principal_dx_in", "H_ACUTE"), sev15("HU1"), "主诊断匹配：急性胆道疾患"),
        rule("HZ2", leaf("principal_dx_in", "H_OTHER"), sev15("HZ2"), "主诊断匹配：胆道其他疾病"),
    ]),
    ("MDCI", "I", leaf("principal_dx_in", "I_MDC"), [
        rule("IC2", leaf("principal_proc_in", "I_HIP"), nine("IC2"), "主手术匹配：髋关节置换"),
        rule("IR2", leaf("principal_dx_in", "I_FEMUR"), nine("IR2"), "主诊断匹配：股骨骨折"),
        rule("IU1", leaf("principal_dx_in", "I_ARTHRO"), sev35("IU1"), "主诊断匹配：髋关节病"),
    ]),
    ("MDCO", "O", leaf("principal_dx_in", "O_MDC"), [
        rule("OB1", leaf("principal_proc_in", "O_CS"), nine("OB1"), "主手术匹配：剖宫产"),
        rule("OC1", leaf("principal_proc_in", "O_VAG_PROC"), nine("OC1"), "主手术匹配：阴道分娩伴手术操作"),
        rule("OR1", leaf("principal_dx_in", "O_VAG"), nine("OR1"), "主诊断匹配：阴道分娩"),
        rule("OZ1", leaf("principal_dx_in", "O_OTHER"), nine("OZ1"), "主诊断匹配：与妊娠有关的其他疾患"),
    ]),
    ("MDCT", "T", leaf("principal_dx_in", "T_MDC"), [
        rule("TR1", leaf("principal_dx_in", "T_SCZ"), nine("TR1"), "主诊断匹配：精神分裂症"),
        rule("TS1", leaf("principal_dx_in", "T_MOOD"), nine("TS1"), "主诊断匹配：重大的情感障碍"),
    ]),
]

# names this scheme gives differently from the national table (its own splits)
OWN_NAMES = {
    "HC13": "开腹胆囊切除手术，伴并发症或合并症",
    "HC15": "开腹胆囊切除手术，不伴并发症或合并症",
    "HC29": "腹腔镜胆囊切除手术",
    "FQY": "F_歧义组",
    "HQY": "H_歧义组",
}


def main():
    dx = sorted({c for k, c in ((k, c) for k, (kind, cs) in LISTS.items() if kind == "dx" for c in cs)} | set(EXTRA_DX))
    pr = sorted({c for kind, cs in LISTS.values() if kind == "proc" for c in cs} | set(EXTRA_PROC))
    codes = NAT["codes"]
    for c in dx:
        assert c in codes["dx_names"] and codes["dx_map"].get(c) == c, c
    for c in pr:
        assert c in codes["proc_names"] and codes["proc_map"].get(c) == c, c
    cc = NAT["cc"]
    mdcs = []
    drgs = []
    for mdc, letter, entry, steps in MDCS:
        mdcs.append({"mdc": mdc, "letter": letter, "entry": entry, "note": "", "steps": steps})
        for st in steps:
            drgs += [d["drg"] for d in st.get("drgs", [])] or [st["qy"]]
    names = {}
    for d in drgs:
        n = OWN_NAMES.get(d) or NAT["drg_names"].get(d)
        assert n, d
        names[d] = n
    refs = {}
    for mdc, _, entry, steps in MDCS:
        text = json.dumps([entry, steps])
        for k in LISTS:
            if f'"{k}"' in text:
                refs.setdefault(k, []).append(mdc)
    scheme = {
        "format": "opendrg-scheme/1",
        "version": "demo_2025",
        "source": {
            "description": "drgdip demo scheme: an illustrative simplification, not a real region's scheme",
            "codes_and_names": "national CHS-DRG 1.1 scheme (opendrg chs_drg_11, Apache-2.0)",
            "generator": "scripts/make-demo-scheme.py",
        },
        "statuses": NAT["statuses"],
        "pipeline": NAT["pipeline"],
        "mdcs": mdcs,
        "or_procedures": "OR",
        "cc": {
            "mcc": {c: cc["mcc"][c] for c in dx if c in cc["mcc"]},
            "cc": {c: cc["cc"][c] for c in dx if c in cc["cc"]},
            "cce": {c: cc["cce"][c] for c in dx if c in cc["cce"]},
        },
        "lists": {k: {"kind": kind, "codes": sorted(cs), "refs": refs.get(k, [])}
                  for k, (kind, cs) in LISTS.items()},
        "site_maps": {},
        "codes": {
            "dx_names": {c: codes["dx_names"][c] for c in dx},
            "proc_names": {c: codes["proc_names"][c] for c in pr},
            "dx_map": {c: c for c in dx},
            "proc_map": {c: c for c in pr},
        },
        "drg_names": names,
    }
    json.dump(scheme, sys.stdout, ensure_ascii=False, indent=1, sort_keys=False)
    sys.stdout.write("\n")


main()
