# frozen_string_literal: true
class Analytics < ApplicationRecord
  scope :hits_by_ip, ->(ip, col = "*") { select("#{col}").where(ip_address: ip).order("id DESC") } # EXPECT SQL injection

  def self.count_by_col(col)
    calculate(:count, col)
  end
end
