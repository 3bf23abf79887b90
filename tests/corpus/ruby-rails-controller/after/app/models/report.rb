class Report < ApplicationRecord
  belongs_to :user

  # Pre-existing: a raw fragment in a scope; not part of this change.
  scope :titled, ->(title) { where("title = '#{title}'") }

  def to_param
    "#{id}-#{title.parameterize}"
  end
end
