from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from bangfu.core.models import TimeStampedModel


class OrgUnit(TimeStampedModel):
    """A node of the assistance network: a centre, a station or a point.

    `path` holds the ids from the root down, as "/1/5/9/", so "a unit and everything under it"
    is one indexed prefix query at any depth.
    """

    class Kind(models.TextChoices):
        CENTER = "center", _("帮扶中心")
        STATION = "station", _("帮扶站")
        POINT = "point", _("帮扶点")

    class StationType(models.TextChoices):
        COMMUNITY = "community", _("社区")
        ENTERPRISE = "enterprise", _("企业")

    class Level(models.TextChoices):
        PROVINCE = "province", _("省级")
        CITY = "city", _("市级")
        COUNTY = "county", _("县(区)级")
        TOWNSHIP = "township", _("乡镇(街道)级")

    parent = models.ForeignKey(
        "self",
        verbose_name=_("上级单位"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
    )
    name = models.CharField(_("名称"), max_length=100)
    short_name = models.CharField(_("简称"), max_length=30, blank=True)
    kind = models.CharField(_("类型"), max_length=16, choices=Kind.choices)
    level = models.CharField(
        _("级别"),
        max_length=16,
        choices=Level.choices,
        blank=True,
        help_text=_("帮扶中心所在的行政级别。"),
    )
    station_type = models.CharField(
        _("站点类别"),
        max_length=16,
        choices=StationType.choices,
        blank=True,
        help_text=_("帮扶站、帮扶点设在社区还是企业。"),
    )
    address = models.CharField(_("地址"), max_length=200, blank=True)
    phone = models.CharField(_("电话"), max_length=30, blank=True)
    sort_order = models.PositiveIntegerField(_("排序"), default=0)
    path = models.CharField(max_length=255, editable=False, db_index=True, default="")
    depth = models.PositiveSmallIntegerField(editable=False, default=0)

    class Meta:
        ordering = ["path"]
        verbose_name = _("组织单位")
        verbose_name_plural = _("组织单位")
        constraints = [
            models.UniqueConstraint(
                fields=["parent", "name"], name="network_orgunit_unique_name_under_parent"
            ),
            models.UniqueConstraint(
                fields=["name"],
                condition=models.Q(parent__isnull=True),
                name="network_orgunit_unique_root_name",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def ancestor_ids(self) -> list[int]:
        """Return the ids from the root down to this unit's parent."""
        return [int(part) for part in self.path.strip("/").split("/")[:-1] if part]

    def is_within(self, other: OrgUnit) -> bool:
        """Return whether this unit is `other` or lies under it."""
        return self.path.startswith(other.path)


class UnitPerson(TimeStampedModel):
    """Someone who works at a unit, or sits on a centre's leading group (领导小组)."""

    class Role(models.TextChoices):
        LEADER = "leader", _("负责人")
        STAFF = "staff", _("专职工作人员")
        WORKER = "worker", _("工作人员")
        LAWYER = "lawyer", _("律师")
        LIAISON = "liaison", _("联络员")
        GROUP_HEAD = "group_head", _("领导小组组长")
        GROUP_DEPUTY = "group_deputy", _("领导小组副组长")
        GROUP_MEMBER = "group_member", _("领导小组成员")

    GROUP_ROLES = frozenset({Role.GROUP_HEAD, Role.GROUP_DEPUTY, Role.GROUP_MEMBER})

    unit = models.ForeignKey(
        OrgUnit, verbose_name=_("单位"), on_delete=models.PROTECT, related_name="people"
    )
    name = models.CharField(_("姓名"), max_length=50)
    role = models.CharField(_("职责"), max_length=16, choices=Role.choices)
    post = models.CharField(
        _("职务"), max_length=100, blank=True, help_text=_("例如:乡党委副书记、工会主席。")
    )
    phone = models.CharField(_("电话"), max_length=30, blank=True)
    user = models.ForeignKey(
        "accounts.User",
        verbose_name=_("系统账号"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="unit_positions",
    )
    sort_order = models.PositiveIntegerField(_("排序"), default=0)

    class Meta:
        ordering = ["unit", "sort_order", "id"]
        verbose_name = _("单位人员")
        verbose_name_plural = _("单位人员")

    def __str__(self) -> str:
        return f"{self.name}({self.get_role_display()})"

    @property
    def is_group_member(self) -> bool:
        return self.role in self.GROUP_ROLES
