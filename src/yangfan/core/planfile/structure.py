"""Checks of the plan's structure: responsible units and their names, sections, tasks and sectors referring
to each other, and the org tree (one root, levels below their parents, no cycles, groups without shared
members).

A task's units and its responsibility clause (“责任单位：省工信厅、省通信管理局…”) are checked both ways: every
unit listed is named in the clause, and every unit the clause names is listed. Then the list must keep the
clause's order, each unit once: the unit named first leads (牵头), the others co-operate (配合). A name in the
clause is any responsible unit's ``name`` or one of its ``aliases`` (the text writes 省交通厅 for 省交通运输厅),
the longest one where names overlap; a short form the text uses is added to the plan file as an alias, never
to code."""

from __future__ import annotations

from yangfan.core.planfile.base import ReaderBase


class StructureChecks(ReaderBase):
    """Who is responsible and where things are: units, sections, tasks, sectors, the org tree."""

    def _check_responsible_units(self) -> dict[str, str]:
        by_name: dict[str, str] = {}
        for path, unit in self.items("responsible_units"):
            for i, name in enumerate([unit["name"], *unit.get("aliases", [])]):
                where = (*path, "name") if i == 0 else (*path, "aliases", i - 1)
                if name in by_name:
                    self.problem(where, f"名称“{name}”已被责任单位 {by_name[name]} 使用")
                by_name[name] = unit["code"]
        return by_name

    def _check_sections_and_tasks(self, units_by_name: dict[str, str]) -> None:
        sections = self._codes("sections")
        tasks = self._codes("tasks")
        sectors = self._codes("sectors")
        for path, section in self.items("sections"):
            parent = section.get("parent")
            if parent is not None and parent not in sections:
                self.problem((*path, "parent"), f"上级章节“{parent}”不存在")
        for collection in ("tasks", "special_projects", "goals"):
            for path, item in self.items(collection):
                if item["section"] not in sections:
                    self.problem((*path, "section"), f"章节“{item['section']}”不存在")
        for path, task in self.items("tasks"):
            for i, name in enumerate(task["responsible_units"]):
                if name not in units_by_name:
                    known = "、".join(units_by_name)
                    self.problem(
                        (*path, "responsible_units", i), f"未知责任单位“{name}”；已定义的责任单位：{known}"
                    )
                elif name not in task["responsibility"]:
                    self.problem((*path, "responsible_units", i), f"“{name}”不在该任务的责任单位原文中")
            listed = {units_by_name.get(name) for name in task["responsible_units"]}
            named = unit_names_in(task["responsibility"], units_by_name)
            if None in listed:  # an unknown name, reported above, most likely stands for one the clause names
                named = []
            missing = False
            for name, code in named:
                if code not in listed:
                    missing = True
                    listed.add(code)  # one problem per unit, however often the clause names it
                    self.problem(
                        (*path, "responsible_units"),
                        f"责任单位原文写有“{name}”，但该任务的 responsible_units 中没有列出这个单位",
                    )
            if named and not missing and listed == {code for _, code in named}:
                self._check_unit_order(path, task, named, units_by_name)
            if task.get("sector") and task["sector"] not in sectors:
                self.problem((*path, "sector"), f"行业“{task['sector']}”不存在")
        for path, sector in self.items("sectors"):
            if sector.get("task") and sector["task"] not in tasks:
                self.problem((*path, "task"), f"任务“{sector['task']}”不存在")

    def _check_unit_order(
        self, path, task: dict, named: list[tuple[str, str]], units_by_name: dict[str, str]
    ) -> None:
        """The units are listed once each and in the order the clause names them: the first leads (牵头), the
        others co-operate (配合). Checked only once the units listed and the units named agree."""
        listed = task["responsible_units"]
        first_listed: dict[str, str] = {}
        for i, name in enumerate(listed):
            code = units_by_name[name]
            if code in first_listed:
                same = "" if name == first_listed[code] else f"与“{first_listed[code]}”是同一个责任单位，"
                self.problem((*path, "responsible_units", i), f"“{name}”{same}重复列出")
            first_listed.setdefault(code, name)
        clause_order: dict[str, str] = {}
        for name, code in named:
            clause_order.setdefault(code, name)
        if len(first_listed) == len(listed) and list(first_listed) != list(clause_order):
            self.problem(
                (*path, "responsible_units"),
                f"任务 {task['code']} 的 responsible_units 顺序（{'、'.join(listed)}）与责任单位原文的顺序"
                f"（{'、'.join(clause_order.values())}）不一致：原文列在第一位的单位牵头、其余配合，"
                "请按原文顺序列出",
            )

    def _check_org_tree(self) -> None:
        units = {u["code"]: (p, u) for p, u in self.items("org_units")}
        roots = [p for p, u in units.values() if "parent" not in u and "counted_in" not in u]
        if len(roots) != 1:
            where = roots[1] if len(roots) > 1 else ("org_units",)
            self.problem(where, f"组织机构树应有且只有一个根（没有 parent 的单位），现有 {len(roots)} 个")
        for code, (path, unit) in units.items():
            for key in ("parent", "counted_in"):
                ref = unit.get(key)
                if ref is None:
                    continue
                if ref not in units:
                    self.problem((*path, key), f"上级单位“{ref}”不存在（单位 {code} {unit['name']}）")
                elif units[ref][1]["level"] >= unit["level"]:
                    self.problem((*path, "level"), f"层级 {unit['level']} 应大于上级单位 {ref} 的层级")
        for code, (path, _) in units.items():  # cycles along the statistical tree
            seen, current = {code}, code
            while True:
                unit = units[current][1]
                parent = unit.get("counted_in") or unit.get("parent")
                if parent is None or parent not in units:
                    break
                if parent in seen:  # reported once for each unit on the cycle, not for units below it
                    if parent == code:
                        self.problem(path, f"单位 {code} 的上级关系形成了循环")
                    break
                seen.add(parent)
                current = parent
        member_of: dict[str, str] = {}
        for path, group in self.items("org_groups"):
            for key in ("members", "overlaps"):
                for i, ref in enumerate(group.get(key, [])):
                    if ref not in units:
                        self.problem((*path, key, i), f"单位“{ref}”不存在")
            for i, ref in enumerate(group["members"]):
                if ref in member_of:
                    self.problem((*path, "members", i), f"单位 {ref} 已是分组 {member_of[ref]} 的成员")
                member_of[ref] = group["code"]


def unit_names_in(text: str, units_by_name: dict[str, str]) -> list[tuple[str, str]]:
    """The unit names and aliases ``text`` contains, in order, each with its unit's code. Where names overlap
    the longest is read, so a name inside a longer one is not read a second time."""
    names = sorted(units_by_name, key=len, reverse=True)
    found: list[tuple[str, str]] = []
    at = 0
    while at < len(text):
        name = next((n for n in names if text.startswith(n, at)), None)
        if name is None:
            at += 1
        else:
            found.append((name, units_by_name[name]))
            at += len(name)
    return found
